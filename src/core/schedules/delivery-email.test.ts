import { describe, expect, it } from 'vitest';
import { dashboardLink, emailBody, PICTURE_CID } from './delivery-email.ts';

describe('delivery emails', () => {
  const picture = {
    filename: 'Sales <Q1>.png',
    contentType: 'image/png',
    content: Buffer.from('png'),
    cid: PICTURE_CID,
  };

  it('links the dashboard and shows its picture, with every text escaped in the HTML', () => {
    const link = dashboardLink('https://bi.example.test', 12);
    expect(link).toBe('https://bi.example.test/dashboards/12');
    const { text, html } = emailBody({
      intro: 'Hello <team>,\n\nsee "below" & enjoy',
      headline: 'Weekly: Sales <Q1>.xlsx',
      filters: 'Filters: Country: France',
      link: { url: link as string, name: 'Sales <Q1>' },
      picture,
    });
    expect(text).toBe(
      'Hello <team>,\n\nsee "below" & enjoy\n\nWeekly: Sales <Q1>.xlsx\nFilters: Country: France\n\n' +
        'Open "Sales <Q1>": https://bi.example.test/dashboards/12\n',
    );
    expect(html).toContain('<p>Hello &lt;team&gt;,</p>\n<p>see &quot;below&quot; &amp; enjoy</p>');
    expect(html).toContain('<strong>Weekly: Sales &lt;Q1&gt;.xlsx</strong>');
    expect(html).toContain(
      '<a href="https://bi.example.test/dashboards/12">Open “Sales &lt;Q1&gt;” in Rosetta</a>',
    );
    expect(html).toContain(`<img src="cid:${PICTURE_CID}" alt="Sales &lt;Q1&gt;.png"`);
    expect(html).not.toMatch(/<team>|<Q1>/);
  });

  it('leaves the link out without a public URL, and the picture out without one', () => {
    expect(dashboardLink(undefined, 12)).toBeNull();
    expect(dashboardLink('https://bi.example.test', null)).toBeNull();
    const { text, html } = emailBody({ intro: null, headline: 'h', filters: 'f', link: null, picture: null });
    expect(text).toBe('h\nf\n');
    expect(html).not.toMatch(/<a |<img /);
  });
});
