// Sign a person in with Profiles (OpenID Connect) from your own app, with panva's openid-client
// (`npm install openid-client`; here it comes with e2e/'s packages). Register the app first:
//   make client NAME="My repository" REDIRECT_URI=http://127.0.0.1:8765/callback SCOPE=profile,orcid
// then: CLIENT_ID=pc_… CLIENT_SECRET=pcs_… node e2e/examples/signin.mjs   (ISSUER, PORT optional)
// It prints a URL to open; after signing in it prints the ID token's claims and the userinfo.
import http from 'node:http';
import * as oidc from 'openid-client';

const { ISSUER = 'http://127.0.0.1:8080', CLIENT_ID, CLIENT_SECRET, PORT = '8765' } = process.env;
const redirectUri = `http://127.0.0.1:${PORT}/callback`;
const config = await oidc.discovery(new URL(ISSUER), CLIENT_ID, CLIENT_SECRET, undefined,
  // Only for a local http issuer such as `make run`'s; a real one is https.
  ISSUER.startsWith('http://') ? { execute: [oidc.allowInsecureRequests] } : undefined);

const [verifier, state, nonce] = [oidc.randomPKCECodeVerifier(), oidc.randomState(), oidc.randomNonce()];
const loginUrl = oidc.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri, scope: 'openid profile orcid', state, nonce,
  code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
});

const server = http.createServer(async (req, res) => {
  if (!req.url.startsWith('/callback')) return res.writeHead(404).end();
  try {
    // Checks state, the issuer, the code's PKCE verifier, and the ID token (audience, nonce, expiry).
    const tokens = await oidc.authorizationCodeGrant(config, new URL(req.url, redirectUri),
      { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims();
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    console.log(`ID token claims: ${JSON.stringify(claims, null, 2)}\nuserinfo: ${JSON.stringify(userinfo, null, 2)}`);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>Signed in</title>'
      + '<main><h1>Signed in</h1><p>You can close this tab: the terminal shows who signed in.</p></main></html>');
  } catch (err) {
    console.error(`Sign-in failed: ${err.error ?? err.code}: ${err.error_description ?? err.message}`);
    process.exitCode = 1;
    res.writeHead(400).end('Sign-in failed; see the terminal.');
  }
  server.close();
});
server.listen(Number(PORT), '127.0.0.1', () => console.log(`Open ${loginUrl.href}`));
