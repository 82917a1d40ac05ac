import { describe, expect, it } from 'vitest';
import { escapeHtml, renderCaseReport, type CaseReportData } from '../../../src-main/core/report/case-report';

const base: CaseReportData = {
  caseName: '<img src=x onerror=alert(1)>.jpg',
  file: '/data/a.jpg',
  studyName: 'Clinic & Co',
  eye: 'right',
  patientId: 'P"1',
  width: 100,
  height: 80,
  overlayPng: new Uint8Array([1, 2, 3]),
  overlaySource: 'model',
  model: {
    versionName: 'Default',
    versionId: 'bundled-default',
    findings: { vcdr: 0.456, probability: 0.8123, decision: 'glaucoma', network: 0.9, vcdrRegression: 0.7246, uncertainty: 0.05 },
    warnings: ['greyscale image'],
    intendedUse: 'research',
    dataSource: 'Drishti-GS1 (50 images)',
  },
  expert: null,
  review: { status: 'unreviewed', by: null, at: null, reason: null },
  generatedAt: '2026-01-01T00:00:00.000Z',
  appVersion: '1.2.3',
};

describe('renderCaseReport', () => {
  it('escapes every text it embeds', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderCaseReport(base);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.jpg');
    expect(html).toContain('Clinic &amp; Co');
    expect(html).toContain('patient P&quot;1');
  });

  it('states the findings, the model, the review and the clinical-use warning', () => {
    const html = renderCaseReport(base);
    expect(html).toContain('Research software — not for clinical use');
    expect(html).toContain('Suspected glaucoma — refer');
    expect(html).toContain('<td>0.46</td>');
    expect(html).toContain('<td>81.2 %</td>');
    expect(html).toContain('Default (bundled-default)');
    expect(html).toContain('Right eye (OD)');
    expect(html).toContain('not reviewed');
    expect(html).toContain('src="data:image/png;base64,AQID"');
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
  });

  it('carries the model’s known limitations when its data card states them', () => {
    expect(renderCaseReport(base)).not.toContain('Known limitations');
    const html = renderCaseReport({ ...base, model: { ...base.model!, limitations: 'over-estimates the cup on <other> cameras' } });
    expect(html).toContain('<th scope="row">Known limitations</th><td>over-estimates the cup on &lt;other&gt; cameras</td>');
  });

  it('says when the image was not screened', () => {
    const html = renderCaseReport({ ...base, model: null, overlaySource: 'none' });
    expect(html).toContain('Not screened');
    expect(html).toContain('This image has not been screened.');
  });
});
