"""OpenAPI: describe the token authentication so the schema says how to call the API."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.AccessTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Your API token from "Calendar and API access", sent as '
            "`Token <token>` (or `Bearer <token>`).",
        }
