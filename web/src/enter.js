// The browser tablet (docs/openrosa.md, "Browsers"): ODK Web Forms renders the survey's XForm
// and sends each interview to the same OpenRosa submission endpoint ODK Collect uses. The page
// (GET /key/{token}/enter/{survey}) says where the form is and where to send.
import { createApp, h } from 'vue';
import { OdkWebForm, POST_SUBMIT__NEW_INSTANCE, webFormsPlugin } from '@getodk/web-forms';

const root = document.getElementById('percept-form');
const formUrl = root.dataset.form;
const submitUrl = root.dataset.submit;
const status = document.getElementById('percept-status');

function say(text, ok) {
  status.textContent = text;
  status.className = ok ? 'sent' : 'refused';
}

// Sends the instance as Collect does (multipart, xml_submission_file); on success the form
// starts again for the next household.
async function send(payload, callback) {
  const body = payload.data[0];
  try {
    const res = await fetch(submitUrl, { method: 'POST', body, headers: { 'X-OpenRosa-Version': '1.0' } });
    const text = await res.text();
    const message = new DOMParser().parseFromString(text, 'text/xml').querySelector('message');
    say((message ? message.textContent : text) + ` (${res.status})`, res.status < 300);
    if (res.status < 300) callback({ next: POST_SUBMIT__NEW_INSTANCE });
  } catch (e) {
    say(`No se pudo enviar / Could not send: ${e.message}`, false);
  }
}

const xml = await (await fetch(formUrl)).text();
createApp({
  render: () =>
    h(OdkWebForm, {
      formXml: xml,
      // A browser has no device id of its own: Web Forms makes one and keeps it (deviceid).
      trackDevice: true,
      fetchFormAttachment: async () => new Response('', { status: 404 }),
      onSubmit: send,
    }),
})
  .use(webFormsPlugin)
  .mount(root);
