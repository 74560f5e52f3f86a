import { ActiveSessions } from '../../features/sessions/components/ActiveSessions';

/** Your account → Active sessions: where you are signed in, and a way to end any other session. */
export function SessionsSettingsPage() {
  return (
    <>
      <title>Active sessions · Your account · Profiles</title>
      <ActiveSessions />
    </>
  );
}
