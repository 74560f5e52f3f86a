import { describe, expect, it } from 'vitest';
import { autoUpdateStatus } from '../../test/fixtures';
import { autoUpdateSchedule, everyInterval, EVENTS_ONLY, nearTime, withinInterval } from './auto-update-schedule';

// Written in one locale and time zone, whatever the machine's.
const GB = { locale: 'en-GB', timeZone: 'UTC' };
const US = { locale: 'en-US', timeZone: 'America/New_York' };
/** Read two minutes after the fixture's last check (14:02 UTC). */
const NOW = new Date('2025-03-02T14:04:00Z');

describe('Auto-Update schedule in words', () => {
  it('says how often, when it last looked and what it found, and when it looks next', () => {
    expect(autoUpdateSchedule(autoUpdateStatus(), NOW, GB)).toBe(
      'Auto-Update checks DataCite for new DOIs naming you every 15 minutes. Last checked 14:02 (found 3 new DOIs with ORCID iDs); next check around 14:17.',
    );
  });

  it('writes the times in the reader’s locale and time zone', () => {
    expect(autoUpdateSchedule(autoUpdateStatus(), NOW, US)).toBe(
      'Auto-Update checks DataCite for new DOIs naming you every 15 minutes. Last checked 9:02 AM (found 3 new DOIs with ORCID iDs); next check around 9:17 AM.',
    );
    expect(autoUpdateSchedule(autoUpdateStatus({ last_dois: 1234 }), NOW, { locale: 'de-DE', timeZone: 'Europe/Berlin' })).toBe(
      'Auto-Update checks DataCite for new DOIs naming you every 15 minutes. Last checked 15:02 (found 1.234 new DOIs with ORCID iDs); next check around 15:17.',
    );
  });

  it('before the first check, says it runs within one interval', () => {
    const status = autoUpdateStatus({ last_checked_at: null, last_dois: null, last_claims_created: null, next_check_at: null });
    expect(autoUpdateSchedule(status, NOW, GB)).toBe(
      'Auto-Update checks DataCite for new DOIs naming you every 15 minutes. The first check runs within 15 minutes.',
    );
    expect(autoUpdateSchedule({ ...status, every_secs: 3600 }, NOW, GB)).toBe(
      'Auto-Update checks DataCite for new DOIs naming you every hour. The first check runs within an hour.',
    );
  });

  it('without polling, says DOI registrations are taken as they happen', () => {
    expect(EVENTS_ONLY).toBe('This service takes DOI registrations from DataCite as they happen.');
    expect(autoUpdateSchedule(autoUpdateStatus({ every_secs: null, next_check_at: null }), NOW, GB)).toBe(EVENTS_ONLY);
    expect(
      autoUpdateSchedule(
        { every_secs: null, last_checked_at: null, last_dois: null, last_claims_created: null, next_check_at: null },
        NOW,
        GB,
      ),
    ).toBe(EVENTS_ONLY);
    // The API's fields may also be left out altogether.
    expect(autoUpdateSchedule({}, NOW, GB)).toBe(EVENTS_ONLY);
    expect(autoUpdateSchedule(autoUpdateStatus({ every_secs: 0 }), NOW, GB)).toBe(EVENTS_ONLY);
  });

  it('counts one DOI, none, or says nothing when the count is unknown', () => {
    expect(autoUpdateSchedule(autoUpdateStatus({ last_dois: 1 }), NOW, GB)).toContain(
      'Last checked 14:02 (found 1 new DOI with an ORCID iD); next check',
    );
    expect(autoUpdateSchedule(autoUpdateStatus({ last_dois: 0 }), NOW, GB)).toContain(
      'Last checked 14:02 (found no new DOIs with ORCID iDs); next check',
    );
    expect(autoUpdateSchedule(autoUpdateStatus({ last_dois: null }), NOW, GB)).toContain(
      'Last checked 14:02; next check around 14:17.',
    );
    expect(autoUpdateSchedule(autoUpdateStatus({ next_check_at: null }), NOW, GB)).toMatch(
      /Last checked 14:02 \(found 3 new DOIs with ORCID iDs\)\.$/,
    );
  });

  it('is relative where natural: just now, any moment now, yesterday, tomorrow, else the date', () => {
    expect(autoUpdateSchedule(autoUpdateStatus(), new Date('2025-03-02T14:02:30Z'), GB)).toContain('Last checked just now (');
    expect(autoUpdateSchedule(autoUpdateStatus(), new Date('2025-03-02T14:16:30Z'), GB)).toMatch(
      /; next check any moment now\.$/,
    );
    // Overdue (a worker takes it when free).
    expect(autoUpdateSchedule(autoUpdateStatus(), new Date('2025-03-02T14:30:00Z'), GB)).toMatch(
      /; next check any moment now\.$/,
    );
    const lateAtNight = autoUpdateStatus({
      every_secs: 7200,
      last_checked_at: '2025-03-02T23:10:00Z',
      next_check_at: '2025-03-03T01:10:00Z',
    });
    expect(autoUpdateSchedule(lateAtNight, new Date('2025-03-02T23:30:00Z'), GB)).toBe(
      'Auto-Update checks DataCite for new DOIs naming you every 2 hours. Last checked 23:10 (found 3 new DOIs with ORCID iDs); next check tomorrow around 01:10.',
    );
    expect(autoUpdateSchedule(lateAtNight, new Date('2025-03-03T00:30:00Z'), GB)).toContain(
      'Last checked yesterday at 23:10 (',
    );
    expect(nearTime('2025-02-20T08:05:00Z', NOW, GB)).toBe('20 Feb 2025, 08:05');
    expect(nearTime('2025-03-09T08:05:00Z', NOW, GB, { around: true })).toBe('around 9 Mar 2025, 08:05');
    expect(nearTime('2025-03-01T08:05:00Z', NOW, GB, { around: true })).toBe('yesterday around 08:05');
  });

  it('names intervals in plain words', () => {
    expect(everyInterval(900)).toBe('every 15 minutes');
    expect(everyInterval(60)).toBe('every minute');
    expect(everyInterval(90)).toBe('every 90 seconds');
    expect(everyInterval(3600)).toBe('every hour');
    expect(everyInterval(86_400)).toBe('every day');
    expect(withinInterval(60)).toBe('within a minute');
    expect(withinInterval(30)).toBe('within 30 seconds');
    expect(withinInterval(1800)).toBe('within 30 minutes');
  });
});
