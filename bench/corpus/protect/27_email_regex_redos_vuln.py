import re

from django import forms
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from newsletter.models import Subscriber

EMAIL_RE = re.compile(r"^([a-zA-Z0-9_.+-]+)*@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$")


class SubscribeForm(forms.Form):
    email = forms.CharField(max_length=4096)
    list_id = forms.IntegerField(min_value=1)

    def clean_email(self):
        value = self.cleaned_data["email"].strip()
        if not EMAIL_RE.match(value):
            raise forms.ValidationError("enter a valid email address")
        return value.lower()


@require_POST
def subscribe(request):
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    sub, created = Subscriber.objects.get_or_create(
        email=form.cleaned_data["email"],
        list_id=form.cleaned_data["list_id"],
    )
    return JsonResponse({"id": sub.pk, "created": created}, status=201 if created else 200)
