import { html } from '../ui.js';

export default function Page() {
  return html`<h1>challenge</h1>`;
}
