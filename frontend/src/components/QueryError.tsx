import { ForbiddenError, describeError } from '../api/errors.ts';
import { Icon } from './Icon.tsx';
import { Button, EmptyState } from './ui/index.ts';

/** The error state of a screen or card whose data could not be loaded. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (error instanceof ForbiddenError) {
    return (
      <EmptyState
        icon={<Icon name="lock" className="size-6" />}
        title="You don't have access to this"
        description={`Your role does not include this part of EngageX (${error.message}). Ask an owner or admin if you need it.`}
      />
    );
  }
  return (
    <EmptyState
      tone="danger"
      icon={<Icon name="warning" className="size-6" />}
      title="Could not load this"
      description={describeError(error)}
      action={
        onRetry && (
          <Button variant="secondary" onClick={onRetry}>
            Try again
          </Button>
        )
      }
    />
  );
}
