# syntax=docker/dockerfile:1
# Multi-stage build: the SDK image builds and publishes, the ASP.NET runtime image runs as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props Factory.sln ./
COPY Factory.Core/Factory.Core.csproj Factory.Core/
COPY Factory.Web/Factory.Web.csproj Factory.Web/
RUN dotnet restore Factory.Web/Factory.Web.csproj
COPY Factory.Core/ Factory.Core/
COPY Factory.Web/ Factory.Web/
RUN dotnet publish Factory.Web/Factory.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    Database__DataFolder=/data \
    DOTNET_gcServer=0
RUN mkdir -p /data && chown app:app /data
COPY --from=build --chown=app:app /app .
USER app
VOLUME ["/data"]
EXPOSE 8080
# The aspnet image has no curl; probe readiness with bash's /dev/tcp and a plain HTTP request.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
ENTRYPOINT ["dotnet", "Factory.Web.dll"]
