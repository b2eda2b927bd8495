#include "app/socat_audit.hpp"

int main(int argc, char** argv) {
    return asocat::app::socat_audit_main(argc, argv);
}
