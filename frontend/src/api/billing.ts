/**
 * Billing (blueprints/billing/api.py): plans, the organization's subscription, usage
 * meters, invoices, and the Stripe Checkout and Billing Portal sessions.
 *
 * Owners and admins may read (`billing:read`); only owners may manage (`billing:manage`).
 */

import { useMutation, useQuery } from '@tanstack/react-query';
import { usePagedList } from './accounts.ts';
import { api, type Page } from './client.ts';

export interface Plan {
  code: string;
  name: string;
  price_cents: number;
  currency: string;
  /** Emails per billing month. */
  email_quota: number;
  contact_limit: number;
  seats: number;
  /** `sending_domains` (number), `api_access`, `sso` (booleans); more may come. */
  features: Record<string, unknown>;
  /** Can be bought through checkout (not Free, not retired). */
  purchasable: boolean;
}

export type SubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'canceled';

export interface Subscription {
  plan: Plan;
  status: SubscriptionStatus;
  current_period_start: string;
  current_period_end: string;
  cancel_at_period_end: boolean;
  past_due_since: string | null;
  /** Sending pauses at this time unless the overdue invoice is paid. */
  grace_ends_at: string | null;
  sending_allowed: boolean;
  sending_reason: 'past_due_grace' | 'payment_overdue' | null;
  /** The server's sentence about the sending state, when it is not simply allowed. */
  sending_message: string | null;
  /** A Stripe customer exists: the billing portal can be opened. */
  billing_account: boolean;
  /** `stripe`: a live Stripe subscription bills the organization (change plans in the portal). */
  managed_by: 'stripe' | 'manual';
}

export interface Meter {
  /** null when the server cannot count it. */
  used: number | null;
  limit: number;
  remaining: number | null;
  percent: number | null;
}

export interface Usage {
  plan: string;
  period_start: string;
  period_end: string;
  emails: Meter;
  contacts: Meter;
  seats: Meter;
}

export interface Invoice {
  id: number;
  stripe_invoice_id: string;
  number: string | null;
  status: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  currency: string;
  amount_due: number;
  amount_paid: number;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  period_start: string | null;
  period_end: string | null;
  issued_at: string;
  paid_at: string | null;
}

export interface CheckoutSession {
  id: string;
  /** Stripe Checkout: send the person there to pay. */
  url: string;
  expires_at: string | null;
  plan: string;
  operation_id: string;
}

export const billingKeys = {
  plans: ['billing', 'plans'] as const,
  subscription: ['billing', 'subscription'] as const,
  usage: ['billing', 'usage'] as const,
  invoices: ['billing', 'invoices'] as const,
};

export function usePlans() {
  return useQuery({
    queryKey: billingKeys.plans,
    queryFn: ({ signal }) => api.get<Page<Plan>>('/billing/plans', { signal }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useSubscription(options: { refetchInterval?: number | false; enabled?: boolean } = {}) {
  return useQuery({
    queryKey: billingKeys.subscription,
    queryFn: ({ signal }) => api.get<Subscription>('/billing/subscription', { signal }),
    refetchInterval: options.refetchInterval ?? false,
    enabled: options.enabled ?? true,
  });
}

export function useUsage({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: billingKeys.usage,
    queryFn: ({ signal }) => api.get<Usage>('/billing/usage', { signal }),
    enabled,
  });
}

export function useInvoices() {
  return usePagedList<Invoice>(billingKeys.invoices, '/billing/invoices');
}

/**
 * Opens a Stripe Checkout Session for a plan. `operation_id` makes a retry of the same
 * attempt return the same session instead of opening a second one.
 */
export function useCheckout() {
  return useMutation({
    mutationFn: (input: { plan: string; operation_id: string }) =>
      api.post<CheckoutSession>('/billing/checkout', input),
  });
}

/** A Stripe Billing Portal session: payment method, invoices, plan changes, cancellation. */
export function usePortal() {
  return useMutation({
    mutationFn: () => api.post<{ url: string }>('/billing/portal'),
  });
}
