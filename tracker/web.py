"""View plumbing shared by the apps: the role decorators, the bound-form helper and form pages."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from tracker import roles


def role_required(test):
    """Signed-out users go to sign-in; signed-in users for whom `test(user)` is false get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            allow(test(request.user))
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def allow(permitted):
    if not permitted:
        raise PermissionDenied


# The workspace: sign-in first, then 403 without a workspace role (tracker/roles.py).
workspace = role_required(roles.can_use_workspace)

# OPCC staff pages of every app (managing actions, imports, meetings and packs). Every OPCC staff
# user can use the workspace, so the one test gives the same answers as the workspace steps.
opcc_only = role_required(roles.is_opcc_staff)


def bound_form_data(request):
    """The (data, files) pair to bind a form with: the request's for a POST, none for a GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def form_page(request, form, template, context, *, change, done, success):
    """Run `change(cleaned_data)` for a valid POST; a service refusal is shown on the form.

    `done` is where to go afterwards: a URL, or a function of what `change` returned; `success`
    is the message, or a function of what `change` returned.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = change(form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(done(result) if callable(done) else done)
    return render(request, template, {**context, "form": form})
