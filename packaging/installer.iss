; Inno Setup script for VSS Outreach (Windows installer around the PyInstaller one-folder build).
;
; Build the app first (packaging\windows.md), then, from the repository folder:
;
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\installer.iss
;
; AppVersion must be pyproject.toml's version. The installer is written to dist\installer\.
; It installs for the current user by default (no administrator rights needed on office laptops);
; the officer can choose "all users" in the first dialog if they have the rights.
; The officers' data (%LOCALAPPDATA%\VSS\VSS Outreach) is never touched by install or uninstall.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z packaging\installer.iss
#endif

#define AppName "VSS Outreach"
#define AppExe "vss-outreach.exe"
; Keep this AppId for every release: it is how Windows recognises an upgrade.
#define AppId "{{338ACF7E-01D7-4885-A90D-6E254694A055}"

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Victims Support Section, ECCC
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SourceDir=..
OutputDir=dist\installer
OutputBaseFilename=vss-outreach-{#AppVersion}-setup
SetupIconFile=assets\icons\vss-outreach.ico
UninstallDisplayIcon={app}\{#AppExe}
; Show the GPL text before installing once the repository has it (e.g. LICENSE at the root):
LicenseFile=LICENSE
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Sign the installer and uninstaller (see windows.md); remove these two lines to build unsigned.
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
; Inno Setup has no Khmer translation; the app itself starts in Khmer.
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "dist\vss-outreach\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the whole bundle, so no file of an older version is left behind.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
