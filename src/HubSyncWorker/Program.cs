var builder = WebApplication.CreateBuilder(args);

var app = builder.Build();
app.MapGet("/alive", () => Results.Ok("alive"));
await app.RunAsync();
