export function SignInPage() {
  return (
    <>
      <title>Sign in · Profiles</title>
      <h1>Sign in</h1>
      <p>Sign-in options will appear here.</p>
    </>
  );
}
