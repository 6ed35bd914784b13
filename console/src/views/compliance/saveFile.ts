/** Hands a file the console received from the API to the browser as a download. */
export function saveFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by then; the object URL would otherwise hold the file for the page's life.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
