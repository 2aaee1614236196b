/**
 * The pages of people who are not signed in (yet), outside the app shell and the auth
 * gate. Each is loaded on first visit, like the app's screens.
 */

import { lazy, type ComponentType } from 'react';
import {
  ACCEPT_INVITATION_PATH,
  CONNECT_PATH,
  FORGOT_PASSWORD_PATH,
  MFA_PATH,
  RESET_PASSWORD_PATH,
  SIGN_IN_PATH,
  SIGN_UP_PATH,
} from '../../auth/session.tsx';
import { ConnectScreen } from '../ConnectScreen.tsx';

export const PUBLIC_SCREENS: readonly { path: string; component: ComponentType }[] = [
  { path: SIGN_IN_PATH, component: lazy(() => import('./SignInScreen.tsx')) },
  { path: MFA_PATH, component: lazy(() => import('./MfaScreen.tsx')) },
  { path: SIGN_UP_PATH, component: lazy(() => import('./SignUpScreen.tsx')) },
  { path: FORGOT_PASSWORD_PATH, component: lazy(() => import('./ForgotPasswordScreen.tsx')) },
  { path: RESET_PASSWORD_PATH, component: lazy(() => import('./ResetPasswordScreen.tsx')) },
  { path: ACCEPT_INVITATION_PATH, component: lazy(() => import('./AcceptInvitationScreen.tsx')) },
  { path: CONNECT_PATH, component: ConnectScreen },
];
