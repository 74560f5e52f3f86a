// Adds jest-dom matchers (toBeInTheDocument, toHaveTextContent, ...) to Vitest's expect.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// As in index.html; axe checks it.
document.documentElement.lang = 'en';

// axe measures text on a canvas, which jsdom lacks (and logs about); without one it skips that check.
HTMLCanvasElement.prototype.getContext = () => null;

// jsdom has <dialog> but not its methods. This stands in for the browser: showModal opens it and
// Escape fires a cancelable `cancel` event, which closes it unless prevented.
function onDialogKeyDown(this: HTMLDialogElement, event: KeyboardEvent) {
  if (event.key !== 'Escape') return;
  if (this.dispatchEvent(new Event('cancel', { cancelable: true }))) this.close();
}
HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
  this.setAttribute('open', '');
  this.addEventListener('keydown', onDialogKeyDown);
};
HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement, returnValue?: string) {
  if (!this.hasAttribute('open')) return;
  this.removeAttribute('open');
  this.removeEventListener('keydown', onDialogKeyDown);
  if (returnValue !== undefined) this.returnValue = returnValue;
  this.dispatchEvent(new Event('close'));
};

afterEach(() => {
  cleanup();
  document.head.querySelectorAll('title').forEach((title) => {
    title.remove();
  });
});
