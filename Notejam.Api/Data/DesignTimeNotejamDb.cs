using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Notejam.Api.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the API or reaching a database.</summary>
internal sealed class DesignTimeNotejamDb : IDesignTimeDbContextFactory<NotejamDb>
{
    public NotejamDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NotejamDb>().UseNpgsql("Host=localhost;Database=notejam").Options);
}
