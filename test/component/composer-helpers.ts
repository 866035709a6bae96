import { act, fireEvent, screen } from '@testing-library/react';

/** Types into the composer's text, as one change (a paste or the last keystroke). */
export function typeText(text: string): void {
  fireEvent.change(screen.getByTestId('text-input'), { target: { value: text } });
}

export function textValue(): string {
  return (screen.getByTestId('text-input') as HTMLTextAreaElement).value;
}

export function saveState(): string | null {
  return screen.getByTestId('save-status').getAttribute('data-state');
}

export function imageFile(name = 'new-arrivals.jpg', content = 'jpeg-bytes', type = 'image/jpeg'): File {
  return new File([content], name, { type });
}

/** A real-looking drop: a DataTransfer-like object with the files (and the "Files" type browsers set). */
export function dropFiles(files: File[]): void {
  fireEvent.drop(screen.getByTestId('image-drop'), { dataTransfer: { files, types: ['Files'] } });
}

/** Ctrl/⌘+V of a screenshot: the clipboard carries the image as a file. */
export function pasteFiles(files: File[]): void {
  fireEvent.paste(document, { clipboardData: { files, items: [], types: ['Files'] } });
}

export function clickSave(): void {
  act(() => screen.getByTestId('draft-save').click());
}
