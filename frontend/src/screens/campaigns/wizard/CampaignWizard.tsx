import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { Redirect, useLocation } from 'wouter';
import { useUpdateCampaign, type Campaign, type CampaignInput } from '../../../api/campaigns.ts';
import { describeError } from '../../../api/errors.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { Alert, Card, CardBody } from '../../../components/ui/index.ts';
import { CampaignLoader } from '../CampaignLoader.tsx';
import { BackLink, CampaignStatusBadge, isEditable } from '../common.tsx';
import { AudienceStep } from './AudienceStep.tsx';
import { changesOf, draftOf, settingsProblems, type CampaignDraft } from './draft.ts';
import { ReviewStep } from './ReviewStep.tsx';
import { SettingsStep } from './SettingsStep.tsx';
import { StepFooter, StepList } from './StepNav.tsx';
import { STEPS, stepIndex, type Step } from './steps.ts';
import { TemplateStep } from './TemplateStep.tsx';

/** What every step gets: the saved campaign, the working copy, and how to change and save it. */
export interface StepProps {
  campaign: Campaign;
  draft: CampaignDraft;
  /** Changes the working copy (saved when the person moves to another step). */
  patch: (changes: Partial<CampaignDraft>) => void;
  /** Changes the working copy and saves those fields at once (a choice, not typing). */
  commit: (changes: Partial<CampaignDraft>) => void;
  canWrite: boolean;
  /** A save of this campaign is under way. */
  saving: boolean;
  onGo: (step: Step) => void;
}

function Wizard({ campaign, step }: { campaign: Campaign; step: Step }) {
  const [draft, setDraft] = useState(() => draftOf(campaign));
  const [showProblems, setShowProblems] = useState(false);
  const update = useUpdateCampaign(campaign.id);
  const canWrite = useCan()('campaigns:write');
  const [, navigate] = useLocation();
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  // Each step starts at its heading, for keyboard and screen reader users.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  const save = async (input: CampaignInput): Promise<boolean> => {
    if (!canWrite || Object.keys(input).length === 0) return true;
    try {
      await update.mutateAsync(input);
      return true;
    } catch {
      return false; // shown from update.error
    }
  };

  const patch = (changes: Partial<CampaignDraft>) => setDraft((current) => ({ ...current, ...changes }));
  const commit = (changes: Partial<CampaignDraft>) => {
    const next = { ...draft, ...changes };
    setDraft(next);
    const input = changesOf(next, campaign);
    const picked = Object.fromEntries(Object.entries(input).filter(([key]) => key in changes || (key === 'seed_emails' && 'seeds' in changes)));
    void save(picked);
  };

  /** Saves what can be saved (fields with a problem stay as typed, unsaved). */
  const saveDraft = () => {
    const problems = settingsProblems(draft);
    const changes = changesOf(draft, campaign);
    return save(Object.fromEntries(Object.entries(changes).filter(([key]) => !(key in problems))));
  };

  const go = async (target: Step) => {
    if (target === step) return;
    // Settings that cannot be saved stay on screen until fixed; going back keeps them as typed.
    if (canWrite && Object.keys(settingsProblems(draft)).length > 0 && stepIndex(target) > stepIndex('settings')) {
      setShowProblems(true);
      if (step !== 'settings') navigate(`/${campaign.id}/edit/settings`);
      return;
    }
    if (await saveDraft()) navigate(`/${campaign.id}/edit/${target}`);
  };

  const dirty = canWrite && Object.keys(changesOf(draft, campaign)).length > 0;
  // Typed settings are saved on moving on; closing the tab before that would lose them.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Leaving for the list saves first; what cannot be saved is shown instead of dropped.
  const leave = (event: MouseEvent) => {
    if (!dirty) return;
    event.preventDefault();
    if (Object.keys(settingsProblems(draft)).length > 0) {
      setShowProblems(true);
      if (step !== 'settings') navigate(`/${campaign.id}/edit/settings`);
      return;
    }
    void saveDraft().then((saved) => saved && navigate(''));
  };

  const props: StepProps = { campaign, draft, patch, commit, canWrite, saving: update.isPending, onGo: (target) => void go(target) };
  const label = STEPS[stepIndex(step)]!.label;
  const saveError = update.isError && step !== 'settings' ? update.error : null;

  return (
    <>
      <BackLink to="" onClick={leave}>
        All campaigns
      </BackLink>
      <PageHeader
        title={campaign.name}
        documentTitle={`${label} · ${campaign.name}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <CampaignStatusBadge status={campaign.status} />
            {campaign.status === 'scheduled'
              ? 'Changes apply to the scheduled send.'
              : 'Nothing is sent until you confirm on the review step.'}
          </span>
        }
      />
      <StepList current={step} onGo={props.onGo} busy={update.isPending} />
      {!canWrite && (
        <Alert tone="info" className="mb-4">
          You can look through this draft. Changing it needs the Editor role or higher.
        </Alert>
      )}
      {saveError && (
        <Alert title="Your last change was not saved" className="mb-4">
          {describeError(saveError)}
        </Alert>
      )}
      <h2 ref={heading} tabIndex={-1} className="mb-3 text-lg font-semibold text-slate-900 focus:outline-none">
        {label}
      </h2>
      {step === 'review' ? (
        <ReviewStep {...props} />
      ) : (
        <>
          <Card>
            <CardBody>
              <fieldset disabled={!canWrite} className="min-w-0">
                {step === 'audience' && <AudienceStep {...props} />}
                {step === 'template' && <TemplateStep {...props} />}
                {step === 'settings' && <SettingsStep {...props} showProblems={showProblems} saveError={update.error} />}
              </fieldset>
            </CardBody>
          </Card>
          <StepFooter step={step} onGo={props.onGo} saving={update.isPending} canWrite={canWrite} />
        </>
      )}
    </>
  );
}

/** /campaigns/:id/edit/:step: the wizard of a draft (or scheduled) campaign. */
export default function CampaignWizard({ id, step }: { id: number; step: Step }) {
  return (
    <CampaignLoader id={id}>
      {(campaign) =>
        // Once sending has started, only its page makes sense (the server refuses changes).
        isEditable(campaign) ? <Wizard campaign={campaign} step={step} /> : <Redirect to={`/${id}`} replace />
      }
    </CampaignLoader>
  );
}
