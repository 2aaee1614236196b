/**
 * Leaving the app for another site (Stripe Checkout, the billing portal).
 *
 * One object so that tests can replace `assign` (jsdom cannot navigate) and check where
 * the app sent the person.
 */
export const externalNavigation = {
  assign(url: string): void {
    window.location.assign(url);
  },
};
