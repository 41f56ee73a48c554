// A template set: how a report view becomes the HTML part and the plain-text part.
import type { ReactElement } from 'react';
import type { ReportView } from '../report-view';

export interface ReportTemplate {
  name: string;
  html(view: ReportView): ReactElement;
  text(view: ReportView): string;
}
