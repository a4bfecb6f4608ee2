// ODK's own form engine on one XForm, for the tests (tests/e2e/web_forms_test.cpp): loads it and
// creates an instance, and reports what the engine said, not what the XML looks like.
import { loadForm } from '@getodk/xforms-engine';

export async function check(formUrl) {
  const xml = await (await fetch(formUrl)).text();
  const result = await loadForm(xml);
  if (result.status === 'failure') {
    return { status: result.status, error: String(result.error && result.error.message) };
  }
  const instance = result.createInstance();
  // The instance's top-level nodes by name (the last step of each nodeset), and its languages.
  const top = instance.root.currentState.children.map((node) =>
    node.definition.nodeset.split('/').pop());
  const languages = instance.root.languages.map((l) => l.language);
  return { status: result.status, error: null, top, languages };
}
