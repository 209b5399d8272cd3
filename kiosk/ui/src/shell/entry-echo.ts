import type { UiEvent, View } from '../contract.ts';

/**
 * What this page typed into the current entry, so a person can check it (a date of birth
 * shown as typed). The service tells only how many characters it holds (`entered`), never
 * which; the page remembers the keys it sent itself, for this screen only, and trusts the
 * service's count: keys it did not take are dropped once every sent event is answered.
 */
export class EntryEcho {
  private screen = '';
  private characters: string[] = [];
  private pending = 0;

  /** Before an event goes out. */
  sent(event: UiEvent, entered: number): void {
    if (this.pending === 0) this.characters = this.characters.slice(0, entered);
    this.pending++;
    if (event.type === 'KEY') this.characters.push(event.key);
    else if (event.type === 'DELETE') this.characters.pop();
    else if (event.type === 'CLEAR') this.characters = [];
  }

  answered(): void {
    this.pending = Math.max(0, this.pending - 1);
  }

  /** A view arrived: a new screen starts empty, a settled entry is cut to its count. */
  seen(view: View): void {
    if (view.screen !== this.screen) {
      this.screen = view.screen;
      this.characters = [];
      this.pending = 0;
      return;
    }
    const entered = view.props.entered;
    if (this.pending === 0 && typeof entered === 'number') {
      this.characters = this.characters.slice(0, entered);
    }
  }

  /** `entered` characters: those this page typed, `null` where it does not know one. */
  text(entered: number): (string | null)[] {
    return Array.from({ length: entered }, (_, index) => this.characters[index] ?? null);
  }
}
