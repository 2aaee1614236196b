import { useLocation } from 'wouter';
import { useDeleteDomain, type Domain } from '../../api/domains.ts';
import { ConfirmDialog, useToast } from '../../components/ui/index.ts';

/** Confirms removing a domain; on success goes back to the list. */
export function RemoveDomainDialog({ domain, onClose }: { domain: Domain | null; onClose: () => void }) {
  const remove = useDeleteDomain();
  const toast = useToast();
  const [, navigate] = useLocation();

  const close = () => {
    remove.reset();
    onClose();
  };

  const confirm = () => {
    if (!domain) return;
    remove.mutate(domain.id, {
      onSuccess: () => {
        toast.success('Domain removed', `Mail from addresses at ${domain.name} is no longer sent.`);
        close();
        navigate(''); // the list: /domains
        remove.forget(domain.id);
      },
    });
  };

  return (
    <ConfirmDialog
      open={domain !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={domain ? `Remove ${domain.name}?` : 'Remove domain?'}
      description={
        domain
          ? `Campaigns can no longer be sent from addresses at ${domain.name}.${
              domain.provider === 'smtp' ? ' Its DKIM key is deleted: adding the domain again means publishing a new key.' : ''
            }`
          : undefined
      }
      confirmLabel="Remove domain"
      onConfirm={confirm}
    />
  );
}
