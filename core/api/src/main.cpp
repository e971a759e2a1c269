// chorusd entry point: parse configuration, start the service, wait for a stop signal.
#include <cstdio>
int main() { std::puts("chorusd: under construction"); return 0; }
