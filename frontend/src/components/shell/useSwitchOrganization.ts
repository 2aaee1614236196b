import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { authKeys, createOrganization, fetchMe, switchOrganization, type AuthState } from '../../api/auth.ts';
import { useToast } from '../ui/index.ts';

/**
 * Everything cached belongs to the organization it was read in, except the person's own
 * data (`auth`): drop it, then the app remounts for the new organization (keyed by its id
 * in the auth gate) and loads afresh.
 */
export function enterOrganization(client: QueryClient, state: AuthState): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'auth' });
  client.setQueryData(authKeys.me, state);
}

/** Work in another of the person's organizations (starts at the home screen). */
export function useSwitchOrganization() {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const toast = useToast();
  return useMutation({
    mutationFn: (organizationId: number) => switchOrganization(organizationId),
    onSuccess: (state) => {
      enterOrganization(client, state);
      navigate('/');
      if (state.organization) toast.success(`Now working in ${state.organization.name}`);
    },
    onError: () => toast.error('Could not switch organization', 'Reload the page and try again.'),
  });
}

/** Create an organization (the person becomes its owner) and work in it. */
export function useCreateOrganization() {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const toast = useToast();
  return useMutation({
    mutationFn: async (name: string) => {
      const created = await createOrganization(name);
      return { created, state: await fetchMe() };
    },
    onSuccess: ({ created, state }) => {
      enterOrganization(client, state);
      navigate('/');
      toast.success(`${created.name} is ready`, 'You are its owner. Invite your team from Team.');
    },
  });
}
