// The report template sets by name (`--force-template NAME`); unknown names use `default`.
import { compactTemplate } from './compact';
import { defaultTemplate } from './default';
import type { ReportTemplate } from './types';

export const REPORT_TEMPLATES: Record<string, ReportTemplate> = {
  default: defaultTemplate,
  compact: compactTemplate,
};

export function reportTemplate(name: string): ReportTemplate {
  return REPORT_TEMPLATES[name] ?? defaultTemplate;
}
