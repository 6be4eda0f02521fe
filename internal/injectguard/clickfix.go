package injectguard

// ClickFix (probe set z73): a page that a browsing agent cannot get past
// tells it to have the user's machine run a command instead: press
// Windows+R, paste what the page put on the clipboard, press Enter; the
// clipboard holds a PowerShell or mshta line that downloads and runs a
// script. The keys and the download-and-run line together are the
// attack, whoever is addressed; help pages that explain Win+R name no
// such line.

// runDialog74 is the Run dialog (or a terminal) opened by its keys.
const runDialog74 = `(\bwin(dows)?(\s+key)?|⊞|\bcmd)\s*\+\s*(r|space)\b`

// remoteRun74 downloads and runs a script in one line: PowerShell's
// iex(iwr …), Invoke-Expression, mshta https://…, curl … | sh.
const remoteRun74 = `¶\b(iex|invoke-expression)\s*\(?\s*(\(?\s*)?(iwr|irm|invoke-webrequest|invoke-restmethod|new-object\s+net\.webclient)\b|\bmshta\s+(https?|vbscript|javascript):|powershell(\.exe)?\s+[^\n]{0,60}-(e|enc|encodedcommand)\s+[a-z0-9+/=]{20,}|\bcurl\b[^\n|]*\|\s*(ba|z)?sh\b`

var clickFixParts = []overridePart{
	{runDialog74, []string{"win", "⊞", "cmd"}, 8, 40, true, []string{"+"}, remoteRun74},
}
