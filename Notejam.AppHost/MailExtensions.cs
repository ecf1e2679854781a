namespace Notejam.AppHost;

/// <summary>smtp4dev in a container: an SMTP server that keeps every mail and shows it in its web UI.</summary>
public sealed class MailSinkContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression => MailExtensions.SmtpUrl(this);
}

/// <summary>smtp4dev as the repository's local dotnet tool, where no container runtime is healthy.</summary>
public sealed class MailSinkExecutableResource(string name, string workingDirectory)
    : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression => MailExtensions.SmtpUrl(this);
}

internal static class MailExtensions
{
    private const string SmtpEndpointName = "smtp";
    private const string UiEndpointName = "http";

    // The container image and the local tool (.config/dotnet-tools.json) are the same release.
    private const string Smtp4devVersion = "3.15.0";

    /// <summary>
    /// Adds a development mail sink whose connection string is <c>smtp://host:port</c> (no auth, no TLS),
    /// its web UI on the "http" endpoint. It is never deployed: in production SMTP comes from configuration.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddMailSink(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.ExecutionContext.IsRunMode && ContainerRuntime.IsHealthy(builder))
        {
            return builder.AddResource(new MailSinkContainerResource(name))
                .WithImage("rnwood/smtp4dev", Smtp4devVersion)
                .WithImageRegistry("docker.io")
                .WithImageFrom(builder.Configuration, "MailSink")
                .WithSmtp4devEndpoints(smtpTargetPort: 25, uiTargetPort: 80);
        }

        var sink = new MailSinkExecutableResource(name, builder.AppHostDirectory);
        var smtp = new EndpointReference(sink, SmtpEndpointName);
        var ui = new EndpointReference(sink, UiEndpointName);
        return builder.AddResource(sink)
            // DCP picks the ports behind its proxies; an empty port turns IMAP and POP3 off.
            .WithArgs("tool", "run", "smtp4dev", "--",
                ReferenceExpression.Create($"--urls=http://127.0.0.1:{ui.Property(EndpointProperty.TargetPort)}"),
                ReferenceExpression.Create($"--smtpport={smtp.Property(EndpointProperty.TargetPort)}"),
                "--imapport=", "--pop3port=", "--bindaddress=127.0.0.1", "--db=", "--nousersettings")
            .WithSmtp4devEndpoints(smtpTargetPort: null, uiTargetPort: null);
    }

    internal static ReferenceExpression SmtpUrl(IResourceWithEndpoints sink) =>
        ReferenceExpression.Create($"smtp://{new EndpointReference(sink, SmtpEndpointName).Property(EndpointProperty.HostAndPort)}");

    private static IResourceBuilder<IResourceWithConnectionString> WithSmtp4devEndpoints<T>(
        this IResourceBuilder<T> sink, int? smtpTargetPort, int? uiTargetPort)
        where T : class, IResourceWithEndpoints, IResourceWithConnectionString =>
        sink.WithEndpoint(targetPort: smtpTargetPort, name: SmtpEndpointName, scheme: "tcp")
            .WithHttpEndpoint(targetPort: uiTargetPort, name: UiEndpointName)
            .WithUrlForEndpoint(UiEndpointName, url => url.DisplayText = "Mail inbox")
            .WithHttpHealthCheck(endpointName: UiEndpointName)
            .ExcludeFromManifest();
}
