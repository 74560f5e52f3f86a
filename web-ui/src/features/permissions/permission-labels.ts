import { PERMISSION_TITLES } from '../../lib/auth-urls';
import type { PermissionKind, PermissionStatus } from './api/get-permissions';

export const PERMISSION_KINDS: Record<PermissionKind, { title: string; description: string; disableEffect: string }> = {
  search_and_link: {
    title: PERMISSION_TITLES.search_and_link,
    description:
      'Allow DataCite to add a work to your ORCID record when you choose “Add to ORCID record” for a DOI in DataCite Search.',
    disableEffect: 'DataCite Search will no longer be able to add works to your ORCID record.',
  },
  auto_update: {
    title: PERMISSION_TITLES.auto_update,
    description:
      'Allow DataCite to add works to your ORCID record automatically when your ORCID iD is included as a creator in the metadata of a DataCite DOI.',
    disableEffect: 'DataCite will stop adding new works to your ORCID record automatically.',
  },
};

/** What goes undone while the permission is not working. */
const MEANWHILE: Record<PermissionKind, string> = {
  search_and_link: 'Works you add wait until you enable it.',
  auto_update: 'DataCite is not adding works to your ORCID record automatically.',
};

export interface PermissionProblem {
  /** The situation in plain words. */
  message: string;
  /** The words of the button that starts the grant (`POST /auth/orcid/grant`). */
  enableLabel: string;
  /** Something that used to work stopped (expired, or revoked on orcid.org): shown as an alert. */
  urgent: boolean;
}

/** Why a permission is not in use and what follows from it; null when it is active. */
export function permissionProblem(kind: PermissionKind, status: PermissionStatus): PermissionProblem | null {
  const { title } = PERMISSION_KINDS[kind];
  switch (status) {
    case 'active':
      return null;
    case 'invalid':
      return {
        message: `ORCID no longer accepts DataCite's access for ${title}: it was probably revoked on orcid.org. Nothing is being added to your record.`,
        enableLabel: `Enable ${title} again`,
        urgent: true,
      };
    case 'expired':
      return {
        message: `DataCite's access for ${title} has expired. Nothing is being added to your record.`,
        enableLabel: `Enable ${title} again`,
        urgent: true,
      };
    case 'revoked':
      return { message: `${title} is disabled. ${MEANWHILE[kind]}`, enableLabel: `Enable ${title}`, urgent: false };
    case 'missing':
      return {
        message: `${title} is not enabled yet. ${MEANWHILE[kind]}`,
        enableLabel: `Enable ${title}`,
        urgent: false,
      };
  }
}

/** What each permission now does, once granted. */
export const GRANTED_MESSAGES: Record<PermissionKind, string> = {
  search_and_link: 'Search & Link is enabled: DataCite can now add the works you choose to your ORCID record.',
  auto_update:
    'Auto-Update is enabled: DataCite will now add works to your ORCID record whenever your ORCID iD is in a DOI’s metadata.',
};

/**
 * After "Grant permission" in a permission request in the ORCID inbox (`?granted=auto_update&via=
 * inbox`), often with an account made just then: a welcome, what happens to the works the request
 * named, and what happens from now on.
 */
export const INBOX_WELCOME = {
  heading: 'Welcome to Profiles',
  message:
    'Auto-Update is on: the works from the request in your ORCID inbox are being added to your ORCID record now. They are listed below.',
  future: 'From now on, new DOIs that name you are added to your ORCID record automatically.',
} as const;
