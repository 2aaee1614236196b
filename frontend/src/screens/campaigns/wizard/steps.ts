/** The steps of the campaign wizard, in order; each is a path: /campaigns/:id/edit/:step. */

export const STEPS = [
  { id: 'audience', label: 'Audience' },
  { id: 'template', label: 'Template' },
  { id: 'settings', label: 'Settings' },
  { id: 'review', label: 'Review' },
] as const;

export type Step = (typeof STEPS)[number]['id'];

export function isStep(value: string): value is Step {
  return STEPS.some((step) => step.id === value);
}

export function stepIndex(step: Step): number {
  return STEPS.findIndex((candidate) => candidate.id === step);
}
