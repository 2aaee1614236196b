import { Alert } from '../../components/ui/index.ts';
import { ButtonLink } from './ButtonLink.tsx';
import type { DashboardAlert } from './alerts.ts';

/** What needs attention, most urgent first; nothing at all when all is well. */
export function DashboardAlerts({ alerts }: { alerts: readonly DashboardAlert[] }) {
  if (alerts.length === 0) return null;
  return (
    <section aria-label="Needs attention" className="space-y-3">
      {alerts.map((alert) => (
        <Alert
          key={alert.id}
          tone={alert.tone}
          title={alert.title}
          actions={
            alert.action ? (
              <ButtonLink href={alert.action.href} size="sm">
                {alert.action.label}
              </ButtonLink>
            ) : undefined
          }
        >
          {alert.body}
        </Alert>
      ))}
    </section>
  );
}
