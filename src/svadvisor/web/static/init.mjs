// Starts GOV.UK Frontend's enhancements from a file, so the Content-Security-Policy
// needs no inline script. Every page works without it.
document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}
import { initAll } from './govuk/govuk-frontend.min.js'
initAll()
