// A mediator starts a draft from a Word document, written by another program (the npm `docx`
// library, as Word lays a file out: Title, Heading 1, list numbering, hyperlinks, a table, a
// picture). The reading view has its structure; a version of it exports as a .docx that a
// reference reader (mammoth) reads with the same headings, lists and emphasis.
import { test, expect } from '@playwright/test';
import {
  AlignmentType,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  ImageRun,
  LevelFormat,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import mammoth from 'mammoth';
import { expectAccessible, processIn, signIn, watchErrors } from '../helpers';

/** A one-pixel PNG: the picture a draft leaves out. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

async function bylaw(): Promise<Buffer> {
  const doc = new Document({
    title: 'Market stalls bylaw',
    numbering: {
      config: [
        {
          reference: 'steps',
          levels: [
            { level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.START },
            { level: 1, format: LevelFormat.LOWER_LETTER, text: '%2)', alignment: AlignmentType.START },
          ],
        },
      ],
    },
    sections: [
      {
        children: [
          new Paragraph({ text: 'Market stalls bylaw', heading: HeadingLevel.TITLE }),
          new Paragraph({ text: 'Licences', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({
            children: [
              new TextRun('Article 1. Every stall is '),
              new TextRun({ text: 'licensed', bold: true }),
              new TextRun(' by the city, '),
              new TextRun({ text: 'free of charge', italics: true }),
              new TextRun('.'),
            ],
          }),
          new Paragraph({ text: 'Article 2' }),
          new Paragraph({ text: 'A licence lasts three years.' }),
          new Paragraph({ text: 'Who may apply', heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: 'Street traders', bullet: { level: 0 } }),
          new Paragraph({ text: 'Cooperatives of traders', bullet: { level: 1 } }),
          new Paragraph({ text: 'Apply at the market office', numbering: { reference: 'steps', level: 0 } }),
          new Paragraph({ text: 'Bring an identity card', numbering: { reference: 'steps', level: 1 } }),
          new Paragraph({
            children: [
              new TextRun('The '),
              new ExternalHyperlink({
                link: 'https://city.example/stalls',
                children: [new TextRun({ text: 'map of the stalls', style: 'Hyperlink' })],
              }),
              new TextRun(' is public.'),
            ],
          }),
          new Paragraph({
            children: [new ImageRun({ type: 'png', data: PIXEL, transformation: { width: 10, height: 10 } })],
          }),
          new Table({
            rows: [
              new TableRow({
                children: [
                  new TableCell({ children: [new Paragraph('Fee: none')] }),
                  new TableCell({ children: [new Paragraph('Term: three years')] }),
                ],
              }),
            ],
          }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

test('a mediator starts a draft from a Word document, and a version of it reads back in Word', async ({ browser }) => {
  test.setTimeout(60_000);
  const page = await (await browser.newContext()).newPage();
  const errors = watchErrors(page);
  await signIn(page, 'mediator@demo.baraza');
  const process = await processIn(page, 'drafting');
  await page.goto(`/processes/${process}/manage`);
  const form = page.locator('form', { has: page.getByLabel('Start from a Word document (optional)') });

  // A file that is not a Word document: refused by name, and what was typed stays.
  await form.getByLabel('Title').fill('Stalls');
  await form.getByLabel('Start from a Word document (optional)').setInputFiles({
    name: 'notes.docx',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    buffer: Buffer.from('These are notes, not a Word document.'),
  });
  await form.getByRole('button', { name: 'Start a new draft' }).click();
  await expect(page.getByRole('alert')).toContainText('This file is not a Word document (.docx).');
  await expect(page.getByLabel('Title')).toHaveValue('Stalls');
  await expectAccessible(page);
  await form.getByLabel('Start from a Word document (optional)').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/import-form-error.png' });

  // The real document, title left empty: the document's own title is used.
  const again = page.locator('form', { has: page.getByLabel('Start from a Word document (optional)') });
  await again.getByLabel('Title').fill('');
  await again.getByLabel('Start from a Word document (optional)').setInputFiles({
    name: 'bylaw.docx',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    buffer: await bylaw(),
  });
  await again.getByRole('button', { name: 'Start a new draft' }).click();
  await expect(page.locator('#notice')).toContainText('started from the Word document');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Market stalls bylaw');

  const reading = page.locator('.document').first();
  await expect(reading.getByRole('heading', { name: 'Licences' })).toBeVisible();
  await expect(reading.getByRole('heading', { name: 'Who may apply' })).toBeVisible();
  await expect(reading.locator('#art-1')).toContainText('Every stall is licensed by the city, free of charge.');
  await expect(reading.locator('#art-1 strong')).toHaveText('licensed');
  await expect(reading.locator('#art-1 em')).toHaveText('free of charge');
  await expect(reading.locator('#art-2')).toContainText('A licence lasts three years.');
  await expect(reading.locator('ul li').first()).toContainText('Street traders');
  await expect(reading.locator('ol li').first()).toContainText('Apply at the market office');
  await expect(reading.getByRole('link', { name: 'map of the stalls' })).toHaveAttribute('href', 'https://city.example/stalls');
  await expect(reading).toContainText('Fee: none');
  await expect(reading).toContainText('Term: three years');
  await expect(reading.locator('img')).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/import-reading-view.png', fullPage: true });

  // The open data has the structure, and the text is the mediator's.
  const id = new URL(page.url()).pathname.split('/').pop();
  const detail = await (await page.request.get(`/api/v1/drafts/${id}`)).json();
  const kinds = detail.blocks.map((b: { kind: string }) => b.kind);
  expect(kinds.slice(0, 6)).toEqual(['chapter', 'article', 'article', 'section', 'bullet', 'bullet']);
  expect(detail.blocks[5].indent).toBe(1);
  expect(detail.text).not.toContain('Article 1.');

  // A co-drafter names a version; its Word export is read by mammoth, as Word would open it.
  const drafter = await (await browser.newContext()).newPage();
  await signIn(drafter, 'gov@demo.baraza');
  await drafter.goto(page.url());
  await drafter.getByLabel('Name of the version').fill('As imported');
  await drafter.getByRole('button', { name: 'Name version' }).click();
  await expect(drafter.locator('#notice')).toContainText('The version is named');
  const exported = await drafter.request.get(`/api/v1/drafts/${id}/versions/1/export?format=docx`);
  expect(exported.ok()).toBe(true);
  const { value: html, messages } = await mammoth.convertToHtml({ buffer: Buffer.from(await exported.body()) });
  expect(messages.filter((m) => m.type === 'error')).toEqual([]);
  expect(html).toContain('<h1>Licences</h1>');
  expect(html).toContain('<h2>Who may apply</h2>');
  expect(html).toMatch(/<strong>licensed<\/strong>/);
  expect(html).toMatch(/<em>free of charge<\/em>/);
  expect(html).toMatch(/<ul><li>Street traders<ul><li>Cooperatives of traders<\/li><\/ul><\/li><\/ul>/);
  expect(html).toMatch(/<ol><li>Apply at the market office/);
  expect(html).toContain('<a href="https://city.example/stalls">map of the stalls</a>');
  expect(errors).toEqual([]);
});
