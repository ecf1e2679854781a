using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Notejam.AppHost;

namespace Notejam.Tests.AppHost;

/// <summary>Where the mail sink comes from; the container is chosen by the same test as PostgreSQL's (no resource is started here).</summary>
public sealed class MailSinkChoiceTests
{
    private const string SmtpUrl = "smtp://{mail.bindings.smtp.host}:{mail.bindings.smtp.port}";

    [Fact]
    public void Where_a_container_runtime_answers_the_sink_is_the_smtp4dev_container()
    {
        // 'true info ...' exits 0, as a healthy runtime's CLI does.
        var builder = DistributedApplication.CreateBuilder(["--ASPIRE_CONTAINER_RUNTIME=true"]);

        var sink = Assert.IsType<MailSinkContainerResource>(builder.AddMailSink("mail").Resource);

        var image = Assert.Single(sink.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(("rnwood/smtp4dev", "3.15.0"), (image.Image, image.Tag));
        Assert.Equal([("smtp", 25), ("http", 80)], Endpoints(sink));
        Assert.Equal(SmtpUrl, sink.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public void Without_a_container_runtime_the_sink_is_the_local_smtp4dev_tool()
    {
        var builder = DistributedApplication.CreateBuilder(["--ASPIRE_CONTAINER_RUNTIME=no-such-container-runtime"]);

        var sink = Assert.IsType<MailSinkExecutableResource>(builder.AddMailSink("mail").Resource);

        Assert.Equal("dotnet", sink.Command);
        Assert.Equal([("smtp", null), ("http", null)], Endpoints(sink));
        Assert.Equal(SmtpUrl, sink.ConnectionStringExpression.ValueExpression);
    }

    private static (string Name, int? TargetPort)[] Endpoints(IResource sink) =>
        [.. sink.Annotations.OfType<EndpointAnnotation>().Select(e => (e.Name, e.TargetPort))];
}
