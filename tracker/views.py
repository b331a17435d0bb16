"""The landing page: each role starts where its work is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from reports.selectors import published_packs
from tracker import roles, security, two_factor
from tracker.forms import EmailPreferencesForm, TwoFactorCodeForm


def home(request):
    """OPCC staff and owners go to their dashboard; others get a page saying what they can do."""
    if roles.can_use_workspace(request.user):
        return redirect("actions:dashboard")
    role = roles.primary_role(request.user)
    if role == roles.NATIONAL_READER:
        return redirect("reports:national")
    # Panel members land on the list of their office's published packs, the one thing they read.
    packs = published_packs(user=request.user) if role == roles.PANEL_MEMBER else None
    return render(request, "home.html", {"role": role, "packs": packs})


@login_required
def account(request):
    """The signed-in user's own settings: email, two-factor sign-in, calendar and API access."""
    context = {
        "role": roles.primary_role(request.user),
        "two_factor_on": request.session.get(two_factor.ENROLLED, False),
        "two_factor_required": two_factor.required_for(request.user),
        "can_have_tokens": roles.can_have_access_tokens(request.user),
    }
    return render(request, "account/index.html", context)


@login_required
def email_preferences(request):
    """A signed-in user's choice of reminder emails (escalations cannot be turned off)."""
    data = request.POST if request.method == "POST" else None  # unticking both posts nothing
    form = EmailPreferencesForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your email preferences have been saved.")
        return redirect("email_preferences")
    return render(request, "account/email_preferences.html", {"form": form})


def permission_denied(request, exception=None):
    """The 403 page; every refusal is written to the security event log."""
    security.record(security.Kind.PERMISSION_DENIED, request=request)
    return render(request, "403.html", status=403)


WRONG_CODE = "That code is not right. Enter the newest code your app shows, or a recovery code."


@login_required
def two_factor_setup(request):
    """Set up an authenticator app (or, once set up, get new recovery codes)."""
    user = request.user
    enrolled = request.session.get(two_factor.ENROLLED, False)
    if enrolled and not user.is_verified():
        return redirect("two_factor_verify")
    if enrolled:
        if request.method == "POST":
            codes = two_factor.new_recovery_codes(user)
            return render(request, "account/two_factor_codes.html", {"codes": codes, "new": True})
        return render(request, "account/two_factor_on.html")
    device = two_factor.pending_device(user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = two_factor.confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "account/two_factor_codes.html",
                {"codes": codes, "next": two_factor.safe_next(request)},
            )
        form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.required_for(user),
        "next": request.GET.get("next", ""),
    }
    return render(request, "account/two_factor_setup.html", context)


@login_required
def two_factor_verify(request):
    """The second step of signing in, for a user with an authenticator app."""
    if request.user.is_verified():
        return redirect(two_factor.safe_next(request))
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if two_factor.verify(request, form.cleaned_data["code"]):
            return redirect(two_factor.safe_next(request))
        security.record(security.Kind.SIGN_IN_FAILED, request=request, detail="Wrong second factor")
        form.add_error("code", WRONG_CODE)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "account/two_factor_verify.html", {"form": form, "next": next_url})
