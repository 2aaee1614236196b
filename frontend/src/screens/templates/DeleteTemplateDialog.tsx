import { useLocation } from 'wouter';
import { useDeleteTemplate, type TemplateSummary } from '../../api/templates.ts';
import { ConfirmDialog, useToast } from '../../components/ui/index.ts';

/** Confirms deleting a template; campaigns keep the versions they were sent with. */
export function DeleteTemplateDialog({ template, onClose }: { template: TemplateSummary | null; onClose: () => void }) {
  const remove = useDeleteTemplate();
  const toast = useToast();
  const [location, navigate] = useLocation();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={template !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={template ? `Delete ${template.name}?` : 'Delete template?'}
      description="It leaves the list. Campaigns that used it keep the version they were sent with."
      confirmLabel="Delete template"
      onConfirm={() =>
        template &&
        remove.mutate(template.id, {
          onSuccess: () => {
            toast.success('Template deleted', template.name);
            close();
            if (location !== '/') navigate('');
            remove.forget(template.id);
          },
        })
      }
    />
  );
}
