import { useLocation } from 'wouter';
import { describeError } from '../../api/errors.ts';
import { useDeleteTemplate, type TemplateSummary } from '../../api/templates.ts';
import { Alert, Button, Dialog, useToast } from '../../components/ui/index.ts';

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
    <Dialog
      open={template !== null}
      onClose={close}
      busy={remove.isPending}
      role="alertdialog"
      size="sm"
      title={template ? `Delete ${template.name}?` : 'Delete template?'}
      description="It leaves the list. Campaigns that used it keep the version they were sent with."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={remove.isPending} data-autofocus>
            Cancel
          </Button>
          <Button
            variant="danger"
            loading={remove.isPending}
            onClick={() =>
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
          >
            Delete template
          </Button>
        </>
      }
    >
      {remove.isError && <Alert>{describeError(remove.error)}</Alert>}
    </Dialog>
  );
}
