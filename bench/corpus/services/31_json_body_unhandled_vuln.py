"""Webhook receiver for alarm actions (Django view)."""
import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST

from alarms.models import Alarm


@require_POST
def alarm_webhook(request, alarm_id):
    payload = json.loads(request.body)
    state = payload.get('current')
    if state not in ('ok', 'alarm', 'insufficient data'):
        return HttpResponseBadRequest('bad state')
    alarm = Alarm.objects.filter(alarm_id=alarm_id).first()
    if alarm is None:
        return JsonResponse({'error': 'no such alarm'}, status=404)
    alarm.state = state
    alarm.reason = str(payload.get('reason', ''))[:255]
    alarm.save(update_fields=['state', 'reason'])
    return JsonResponse({'alarm_id': alarm_id, 'state': state})
