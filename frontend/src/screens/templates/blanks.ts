/** The blank templates a new template can start from besides the server's starters. */

export const BLANK_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ organization.name }}</title>
  <style>
    @media (max-width: 620px) { .container { width: 100% !important; } .content { padding: 24px !important; } }
  </style>
</head>
<body style="margin:0; padding:0; background-color:#f4f4f5;">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f5;">
    <tr>
      <td align="center" style="padding:24px 12px;">
        <table role="presentation" class="container" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px; max-width:600px; background-color:#ffffff; border-radius:8px;">
          <tr>
            <td class="content" style="padding:40px; font-family:Arial, Helvetica, sans-serif; font-size:16px; line-height:1.6; color:#18181b;">
              <p style="margin:0 0 16px;">Hello {{ first_name|default("there", true) }},</p>
              <p style="margin:0 0 16px;">Write your message here.</p>
              <p style="margin:0;">{{ organization.name }}</p>
            </td>
          </tr>
        </table>
        <p style="margin:16px 0 0; font-family:Arial, Helvetica, sans-serif; font-size:12px; line-height:1.5; color:#71717a;">
          {{ organization.name }} · <a href="{{ unsubscribe_url }}" style="color:#71717a;">Unsubscribe</a>
        </p>
      </td>
    </tr>
  </table>
</body>
</html>
`;

export const BLANK_MJML = `<mjml>
  <mj-head>
    <mj-title>{{ organization.name }}</mj-title>
    <mj-attributes>
      <mj-all font-family="Arial, Helvetica, sans-serif" />
      <mj-text font-size="16px" line-height="1.6" color="#18181b" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f4f5">
    <mj-section background-color="#ffffff" padding="32px 24px">
      <mj-column>
        <mj-text>Hello {{ first_name|default("there", true) }},</mj-text>
        <mj-text>Write your message here.</mj-text>
        <mj-button background-color="#4f46e5" href="https://example.com">Read more</mj-button>
      </mj-column>
    </mj-section>
    <mj-section>
      <mj-column>
        <mj-text font-size="12px" color="#71717a" align="center">
          {{ organization.name }} · <a href="{{ unsubscribe_url }}" style="color:#71717a;">Unsubscribe</a>
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;
