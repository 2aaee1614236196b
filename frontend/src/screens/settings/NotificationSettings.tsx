import { groupPreferences, usePreferences, useSetPreference, type Channel, type NotificationPreference } from '../../api/notifications.ts';
import { describeError } from '../../api/errors.ts';
import { useViewer } from '../../auth/viewer.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Card, CardHeader, LoadingRegion, Skeleton, Switch, useToast } from '../../components/ui/index.ts';

const CHANNELS: { channel: Channel; label: string }[] = [
  { channel: 'in_app', label: 'In the app' },
  { channel: 'email', label: 'By email' },
];

function PreferenceRow({ item, onChange }: { item: NotificationPreference; onChange: (channel: Channel, enabled: boolean) => void }) {
  return (
    <tr>
      <th scope="row" className="py-3 pr-4 pl-5 text-left text-sm font-normal text-slate-800 sm:pl-6">
        {item.label}
      </th>
      {CHANNELS.map(({ channel, label }) => (
        <td key={channel} className="px-4 py-3 text-center sm:px-6">
          <span className="inline-flex">
            <Switch
              checked={item[channel]}
              label={`${item.label}: ${label.toLowerCase()}`}
              onChange={(enabled) => onChange(channel, enabled)}
            />
          </span>
        </td>
      ))}
    </tr>
  );
}

/** Settings › Notifications: per type, in the app (the bell) and by email. Saved at once. */
export default function NotificationSettings() {
  const preferences = usePreferences();
  const save = useSetPreference();
  const toast = useToast();
  const { user } = useViewer();

  const change = (item: NotificationPreference, channel: Channel, enabled: boolean) =>
    save.mutate(
      { type: item.type, channel, enabled },
      { onError: (error) => toast.error('The change was not saved', describeError(error)) },
    );

  return (
    <Card aria-labelledby="notification-settings-title">
      <CardHeader
        titleId="notification-settings-title"
        title="Notifications"
        description={
          <>
            What you hear about, and where. Emails go to {user?.email ?? 'your address'}. Your choices apply in every
            organization you belong to; you only hear about what your role is responsible for.
          </>
        }
      />
      {preferences.isError ? (
        <QueryError error={preferences.error} onRetry={() => void preferences.refetch()} />
      ) : preferences.isPending ? (
        <LoadingRegion label="Loading your notification settings…">
          <div className="space-y-4 px-6 py-5">
            {[0, 1, 2, 3].map((index) => (
              <Skeleton key={index} className="h-5 w-full" />
            ))}
          </div>
        </LoadingRegion>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full text-sm">
            <caption className="sr-only">Notification settings per type and channel (changes are saved at once)</caption>
            <thead className="bg-slate-50/80">
              <tr>
                <th scope="col" className="py-2.5 pr-4 pl-5 text-left text-xs font-medium tracking-wide text-slate-500 uppercase sm:pl-6">
                  Notification
                </th>
                {CHANNELS.map(({ channel, label }) => (
                  <th key={channel} scope="col" className="w-28 px-4 py-2.5 text-center text-xs font-medium tracking-wide whitespace-nowrap text-slate-500 uppercase sm:px-6">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            {groupPreferences(preferences.data).map(({ group, items }) => (
              <tbody key={group} className="divide-y divide-slate-100 border-t border-slate-200">
                <tr>
                  <th scope="colgroup" colSpan={3} className="bg-white pt-4 pb-1 pl-5 text-left text-xs font-semibold text-slate-900 sm:pl-6">
                    {group}
                  </th>
                </tr>
                {items.map((item) => (
                  <PreferenceRow key={item.type} item={item} onChange={(channel, enabled) => change(item, channel, enabled)} />
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}
    </Card>
  );
}
