using Cairn.Server.Ui;
using Cairn.Server.Ui.Security;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Server.Security;

/// <summary>Who may open the web UI's pages on a server with --auth.</summary>
public static class UiAccessRules
{
    /// <summary>
    /// Stylesheets for anyone (the sign-in page uses them); an artifact file for readers of its run's
    /// experiment; each page as its <see cref="PageAccessAttribute"/> says, else any signed-in user
    /// (the page then shows only what they may read).
    /// </summary>
    public static CairnUiEndpoints RequireUiAccess(this CairnUiEndpoints ui)
    {
        ui.Assets.Requires(Access.Anyone);
        ui.Artifacts.Requires(Access.Run(Need.Read, Field.Route("runId")));
        ui.Pages.Add(page =>
        {
            var access = page.Metadata.OfType<PageAccessAttribute>().FirstOrDefault()?.Access ?? PageAccess.SignedIn;
            page.Metadata.Add(access switch
            {
                PageAccess.Anyone => Access.Anyone,
                PageAccess.Shared => Access.Server(Need.Read),
                PageAccess.Admin => Access.Admin,
                _ => Access.SignedIn,
            });
        });
        return ui;
    }
}
