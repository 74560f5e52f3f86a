import { describe, expect, it } from 'vitest';
import { answerNeedsCode, notificationAnswerWords, notificationStatusWords } from './notification-words';

describe('ORCID inbox notifications in words', () => {
  it.each([
    ['accepted', 'ORCID accepted it'],
    ['notifications_disabled', 'The person does not accept notifications'],
    ['record_deactivated', 'ORCID refused our request'],
    ['record_locked', 'ORCID refused our request'],
    ['record_deprecated', 'ORCID refused our request'],
    ['record_unavailable', 'ORCID refused our request'],
    ['record_not_found', 'ORCID refused our request'],
    ['invalid_notification', 'ORCID refused our request'],
    ['not_permitted', 'Our ORCID client may not send notifications'],
    ['unavailable', 'ORCID did not accept it within a day'],
    [null, 'No answer from ORCID yet'],
    ['something_new', 'something_new'],
  ])('says ORCID’s answer %s as “%s”', (answer, words) => {
    expect(notificationAnswerWords(answer)).toBe(words);
  });

  it('keeps the code beside the words only where several codes read alike', () => {
    expect(answerNeedsCode('record_locked')).toBe(true);
    expect(answerNeedsCode('accepted')).toBe(false);
    expect(answerNeedsCode(null)).toBe(false);
  });

  it('names each status, with a tone and what it means', () => {
    expect(notificationStatusWords('sent')).toMatchObject({ label: 'Sent', tone: 'success' });
    expect(notificationStatusWords('failed').meaning).toContain('may be sent again after the period');
    expect(notificationStatusWords('refused').meaning).toContain('never sent again');
    expect(notificationStatusWords('later')).toMatchObject({ label: 'later', tone: 'neutral' });
  });
});
