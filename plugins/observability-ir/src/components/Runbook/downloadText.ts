/** How long the object URL of a download is kept: some browsers read it late. */
const RELEASE_AFTER_MS = 10_000;

/**
 * Saves text as a file in the user's downloads: a Blob behind an object
 * URL, clicked through an anchor with a `download` name.
 */
export function downloadText(text: string, filename: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), RELEASE_AFTER_MS);
}
