import { PROVIDER_ORDER, withParams } from '../../../lib/auth-urls';
import type { ProviderInfo } from '../api/get-providers';

interface ProviderButtonsProps {
  providers: readonly ProviderInfo[];
  /** Where the server sends the browser back to after signing in. */
  returnTo: string;
}

/**
 * "Sign in with ORCID", "Sign in with Google", ... in DataCite's colours, ORCID first. These are
 * plain links: signing in is a full-page trip through the provider, not a fetch.
 */
export function ProviderButtons({ providers, returnTo }: ProviderButtonsProps) {
  const sorted = [...providers].sort((a, b) => PROVIDER_ORDER.indexOf(a.id) - PROVIDER_ORDER.indexOf(b.id));
  return (
    <ul className="provider-buttons">
      {sorted.map((provider) => (
        <li key={provider.id}>
          <a
            className={`button button--block provider provider--${provider.id}`}
            href={withParams(provider.sign_in_url, { return_to: returnTo })}
          >
            <ProviderMark provider={provider.id} />
            Sign in with {provider.name}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** A small letter mark, decorative: the link text names the provider. */
function ProviderMark({ provider }: { provider: ProviderInfo['id'] }) {
  const letter = { orcid: 'iD', google: 'G', github: 'GH' }[provider];
  return (
    <span className="provider__mark" aria-hidden="true">
      {letter}
    </span>
  );
}
