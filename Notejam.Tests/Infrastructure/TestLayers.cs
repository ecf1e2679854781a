namespace Notejam.Tests.Infrastructure;

/// <summary>
/// The layers a developer can run alone (`dotnet test --filter …`, README "Tests"). A class without a layer is fast:
/// in-process hosts on the shared test PostgreSQL, or no server at all. <see cref="TestLayersTests"/> keeps every
/// class that needs more in its layer.
/// </summary>
public static class TestLayers
{
    public const string Name = "Layer";

    /// <summary>Starts the AppHost's topology (AppHostFixture) or runs the AppHost project.</summary>
    public const string AppHost = "AppHost";

    /// <summary>Chromium through Playwright, against the AppHost's topology.</summary>
    public const string Browser = "Browser";

    /// <summary>Breaks the AppHost's topology on purpose: kills replicas, stops PostgreSQL.</summary>
    public const string Faults = "Faults";

    /// <summary>The deployment paths checked offline: the Bicep CLI, azd's templates, published api processes.</summary>
    public const string Deploy = "Deploy";

    /// <summary>
    /// Needs a container engine that answers (skipped, saying so, where none does): the AppHost in container mode, on
    /// images given in settings (CI: the offline stand-ins of deploy/containers/).
    /// </summary>
    public const string Containers = "Containers";
}
