import { useMemo, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useScheduleCampaign, type Campaign } from '../../../api/campaigns.ts';
import { describeError } from '../../../api/errors.ts';
import { Alert, Button, Dialog, Input, Select, useToast } from '../../../components/ui/index.ts';
import { formatCount } from '../../../lib/format.ts';
import { browserTimeZone, defaultSchedule, formatInZone, isoToZoned, timeZones, zonedToIso } from './schedule.ts';

/** The date, time and zone the dialog opens with: the current schedule, else tomorrow at nine here. */
function initial(campaign: Campaign): { date: string; time: string; zone: string } {
  const zone = campaign.timezone ?? browserTimeZone();
  if (campaign.scheduled_at) return { ...isoToZoned(campaign.scheduled_at, zone), zone };
  return { ...defaultSchedule(zone), zone };
}

/** Chooses when the campaign is sent: a date and time in a time zone (the browser's by default). */
export function ScheduleDialog({
  open,
  onClose,
  campaign,
  recipients,
  onRefused,
}: {
  open: boolean;
  onClose: () => void;
  campaign: Campaign;
  recipients: number;
  onRefused: () => void;
}) {
  const [value, setValue] = useState(() => initial(campaign));
  const [touched, setTouched] = useState(false);
  const schedule = useScheduleCampaign(campaign.id);
  const toast = useToast();
  const [, navigate] = useLocation();
  const zones = useMemo(() => timeZones(value.zone, browserTimeZone()).map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') })), [value.zone]);

  const iso = zonedToIso(value.date, value.time, value.zone);
  const problem = !iso
    ? 'Enter a date and a time.'
    : new Date(iso).getTime() <= Date.now()
      ? 'Choose a time in the future.'
      : null;
  const here = browserTimeZone();

  const close = () => {
    schedule.reset();
    setTouched(false);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (problem || !iso) return;
    // Not `mutate`'s callbacks: the scheduled campaign leaves the wizard, unmounting this dialog.
    try {
      const scheduled = await schedule.mutateAsync({ scheduled_at: iso, timezone: value.zone });
      toast.success('Campaign scheduled', `“${scheduled.name}” will be sent ${formatInZone(iso, value.zone)}.`);
      onClose();
      navigate(`/${campaign.id}`);
    } catch {
      onRefused();
    }
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={schedule.isPending}
      title={campaign.status === 'scheduled' ? 'Change the schedule' : 'Schedule the campaign'}
      description={`It goes to the ${formatCount(recipients, 'recipient')} its audience has at that time. Until then you can change it, send it now or unschedule it.`}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={schedule.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="schedule-form" loading={schedule.isPending}>
            Schedule
          </Button>
        </>
      }
    >
      <form id="schedule-form" onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        {schedule.isError && <Alert title="The campaign was not scheduled">{describeError(schedule.error)}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label="Date"
            type="date"
            value={value.date}
            onChange={(event) => setValue({ ...value, date: event.target.value })}
            error={touched && problem ? problem : undefined}
            required
            data-autofocus
          />
          <Input label="Time" type="time" value={value.time} onChange={(event) => setValue({ ...value, time: event.target.value })} required />
        </div>
        <Select label="Time zone" options={zones} value={value.zone} onChange={(event) => setValue({ ...value, zone: event.target.value })} />
        {iso && !problem && (
          <p className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="schedule-summary">
            Sends {formatInZone(iso, value.zone)}
            {value.zone !== here && <span className="block text-slate-500">That is {formatInZone(iso, here)} for you.</span>}
          </p>
        )}
      </form>
    </Dialog>
  );
}
