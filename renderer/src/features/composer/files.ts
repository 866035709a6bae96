/** Reading the files the user drops, pastes or picks. */

/** The file's bytes as base64 (compose.importImage's `data`): a data URL without its prefix. */
export function readFileAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      const comma = url.indexOf(',');
      resolve(comma < 0 ? '' : url.slice(comma + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** The first file of a list, an image first: a drop or a paste may carry several, and a draft takes one. */
export function firstImageFile(files: Iterable<File>): File | null {
  const all = [...files];
  return all.find((file) => file.type.startsWith('image/')) ?? all[0] ?? null;
}

/** The files a clipboard event carries (pasted screenshots are items; copied files are files). */
export function clipboardFiles(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files = Array.from(data.files ?? []);
  if (files.length > 0) return files;
  return Array.from(data.items ?? [])
    .filter((item) => item.kind === 'file')
    .map((item) => item.getAsFile())
    .filter((file): file is File => file !== null);
}
