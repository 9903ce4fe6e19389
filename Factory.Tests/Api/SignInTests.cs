using System.Net;
using System.Text.RegularExpressions;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Factory.Tests.Api;

/// <summary>Sign-in for the dashboard: cookie, anti-forgery, viewer and admin keys only, local redirects only.</summary>
public sealed partial class SignInTests : ApiTest
{
    [GeneratedRegex("name=\"(__RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private HttpClient Browser() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<KeyValuePair<string, string>> TokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/login");
        var match = TokenField().Match(html);
        Assert.True(match.Success, "the sign-in form carries an anti-forgery token");
        return new(match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    [Fact]
    public async Task Admin_page_without_sign_in_redirects_to_the_sign_in_form()
    {
        var client = Browser();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        using var response = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_key_signs_in_and_opens_the_admin_page()
    {
        var client = Browser();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        var token = await TokenAsync(client);
        using var signIn = await client.PostAsync("/login", new FormUrlEncodedContent([token, new("key", FactoryApp.KeyFor("admin")), new("returnUrl", "/admin")]));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin", signIn.Headers.Location!.OriginalString);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("factory.auth=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));

        using var page = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Demo data", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_key_signs_in_and_opens_the_pages_but_not_the_admin_page()
    {
        var client = Browser();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        using (var anonymous = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        }

        var token = await TokenAsync(client);
        using var signIn = await client.PostAsync("/login", new FormUrlEncodedContent([token, new("key", FactoryApp.KeyFor("viewer")), new("returnUrl", "/events")]));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/events", signIn.Headers.Location!.OriginalString);

        using var page = await client.GetAsync("/events");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var export = await client.GetAsync("/api/export/events.csv");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        using var admin = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.StartsWith("/login", admin.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("camera")]
    [InlineData(null)]
    public async Task Other_keys_do_not_sign_in(string? role)
    {
        var client = Browser();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        var token = await TokenAsync(client);
        using var signIn = await client.PostAsync("/login", new FormUrlEncodedContent([token, new("key", role is null ? "wrong" : FactoryApp.KeyFor(role))]));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/login?error=1", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.False(signIn.Headers.Contains("Set-Cookie") && signIn.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("factory.auth=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Sign_in_without_the_anti_forgery_token_is_refused()
    {
        var client = Browser();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        using var signIn = await client.PostAsync("/login", new FormUrlEncodedContent([new("key", FactoryApp.KeyFor("admin"))]));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
    }

    [Fact]
    public async Task Sign_in_never_redirects_off_site()
    {
        var client = Browser();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        var token = await TokenAsync(client);
        using var signIn = await client.PostAsync("/login", new FormUrlEncodedContent([token, new("key", FactoryApp.KeyFor("admin")), new("returnUrl", "//evil.example/x")]));
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/admin\r\nSet-Cookie: x=1")]
    [InlineData("/\u0000")]
    [InlineData("/events\u007f")]
    public async Task Control_characters_in_returnUrl_are_a_400_problem_not_a_500(string escaped)
    {
        var returnUrl = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var client = Browser();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        using var page = await client.GetAsync("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal("application/problem+json", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("returnUrl", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var token = await TokenAsync(client);
        using var signIn = await client.PostAsync("/login", new FormUrlEncodedContent([token, new("key", FactoryApp.KeyFor("admin")), new("returnUrl", returnUrl)]));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
    }
}
