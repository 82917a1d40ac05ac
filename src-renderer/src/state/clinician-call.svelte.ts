// The clinician's own call on the open case: referral (with the reason when
// ungradable), glaucoma grade, notes, eye and patient id. Each change is
// saved at once through cases.setCall (notes when the field is left), and
// the case's summary comes back with it; main logs every change in the
// case's audit trail.
import type { CaseSummary, Grade, Input, Referral } from '../../../src-main/core/contract/contract';
import { GRADE_KEYS } from '../review/assessment';
import type { EditorApp } from './editor-app';

type CallChange = Omit<Input<'cases.setCall'>, 'caseId'>;

export class ClinicianCall {
  readonly caseId: string;
  readonly #app: EditorApp;
  #summary = $state.raw<CaseSummary | null>(null);
  #saving = $state(false);
  /** Notes as typed, saved when the field is left (or before the next change). */
  #notesDraft = $state('');
  #reasonDraft = $state('');

  constructor(app: EditorApp, caseId: string) {
    this.#app = app;
    this.caseId = caseId;
  }

  get summary(): CaseSummary | null {
    return this.#summary;
  }
  get referral(): Referral | null {
    return this.#summary?.call?.referral ?? null;
  }
  get grade(): Grade | null {
    return this.#summary?.call?.grade ?? null;
  }
  get notes(): string {
    return this.#notesDraft;
  }
  get reason(): string {
    return this.#reasonDraft;
  }
  get eye(): CaseSummary['eye'] {
    return this.#summary?.eye ?? 'unknown';
  }
  get patientId(): string {
    return this.#summary?.patientId ?? '';
  }
  get saving(): boolean {
    return this.#saving;
  }
  /** Who made the call and when, for the panel's footnote. */
  get lastChange(): { author: string; at: string } | null {
    const call = this.#summary?.call;
    return call ? { author: call.author, at: call.at } : null;
  }

  /** Takes the case's summary as loaded (the first time, or after the case changed elsewhere with no draft pending). */
  load(summary: CaseSummary): void {
    const first = this.#summary === null;
    const notesPending = !first && this.#notesDraft !== (this.#summary?.call?.notes ?? '');
    this.#summary = summary;
    if (!notesPending) this.#notesDraft = summary.call?.notes ?? '';
    if (first || this.#reasonDraft === '') this.#reasonDraft = summary.call?.referralReason ?? '';
  }

  setReferral(referral: Referral | null): Promise<void> {
    return this.#save({ referral, ...(referral === 'ungradable' ? { referralReason: this.#reasonDraft.trim() || null } : {}) });
  }

  editReason(text: string): void {
    this.#reasonDraft = text;
  }

  /** Saves the reason typed for an ungradable referral. */
  commitReason(): Promise<void> {
    const reason = this.#reasonDraft.trim() || null;
    if (this.referral !== 'ungradable' || reason === (this.#summary?.call?.referralReason ?? null)) return Promise.resolve();
    return this.#save({ referralReason: reason });
  }

  setGrade(grade: Grade | null): Promise<void> {
    return this.#save({ grade });
  }

  editNotes(text: string): void {
    this.#notesDraft = text;
  }

  /** Saves the notes when they differ from what is stored. */
  commitNotes(): Promise<void> {
    if (this.#notesDraft === (this.#summary?.call?.notes ?? '')) return Promise.resolve();
    return this.#save({ notes: this.#notesDraft });
  }

  setEye(eye: CaseSummary['eye']): Promise<void> {
    return this.#save({ eye });
  }

  setPatientId(patientId: string): Promise<void> {
    const value = patientId.trim() || null;
    if (value === (this.#summary?.patientId ?? null)) return Promise.resolve();
    return this.#save({ patientId: value });
  }

  /** G, N, S grade the eye glaucoma, normal or suspect; the same key again clears it. Returns whether the key was used. */
  handleKey(key: string): boolean {
    const grade = GRADE_KEYS[key];
    if (!grade || !this.#summary) return false;
    // The pressed grade button shows the result; no toast, which would cover the panel.
    void this.setGrade(this.grade === grade ? null : grade);
    return true;
  }

  /** Saves pending notes (before leaving the case). */
  async flush(): Promise<void> {
    await this.commitNotes();
  }

  async #save(change: CallChange): Promise<void> {
    // Pending notes travel with any other change, so nothing typed is lost.
    const notes = this.#notesDraft !== (this.#summary?.call?.notes ?? '') && change.notes === undefined ? { notes: this.#notesDraft } : {};
    this.#saving = true;
    try {
      const result = await this.#app.attempt("Could not save the clinician's call", () => this.#app.api['cases.setCall']({ caseId: this.caseId, ...change, ...notes }));
      // The drafts stay as typed: anything typed while this was saving is still pending.
      if (result) this.#summary = result.summary;
    } finally {
      this.#saving = false;
    }
  }
}
