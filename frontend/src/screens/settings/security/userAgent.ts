/**
 * A session's User-Agent header as people say it: "Firefox on macOS". Only the common
 * browsers and systems are named; anything else keeps a short, honest fallback.
 */

const BROWSERS: [RegExp, string][] = [
  [/HeadlessChrome\//, 'Headless Chrome'],
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Chromium\//, 'Chromium'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
  [/^curl\//, 'curl'],
  [/python-requests|python-httpx|aiohttp/i, 'Python script'],
];

const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux|X11/, 'Linux'],
];

export function describeUserAgent(agent: string | null | undefined): string {
  if (!agent) return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return agent.length > 40 ? `${agent.slice(0, 40)}…` : agent;
}

/** How a session was opened (`method` of the API) in words. */
export function describeMethod(method: string): string {
  const [first, second] = method.split('+');
  const how =
    { password: 'Password', invitation: 'Invitation link', oidc: 'Single sign-on' }[first ?? ''] ?? first ?? method;
  if (second === 'totp') return `${how} and authenticator code`;
  if (second === 'recovery_code') return `${how} and recovery code`;
  return how;
}
