# METADATA
# title: OS containers
# description: Each whole-OS instance runs as an OS container, such as LXC or OpenVZ, straight on the hosts and sharing their kernel. It is the container answer where every instance runs the services of a whole OS.
# custom:
#   id: os_container
#   title_zh: 操作系统容器
#   summary_zh: 每个完整操作系统式的实例作为 LXC、OpenVZ 这类操作系统容器直接运行在宿主机上，与宿主机共用内核。当每个实例都要运行完整操作系统的各项服务时，这就是容器方案的形式。
package advise.placements.os_container

import data.advise.lib
import data.advise.placements.container

# METADATA
# title: Recommendation
# description: The answer this placement gives.
recommendation := "container"

# METADATA
# title: Container form
# description: OS containers, several services each.
container_form := "os"

# METADATA
# title: Applicable
# description: OS containers are an answer only for workloads whose instances each run a whole OS.
default applicable := false

applicable if input.full_os

# METADATA
# title: OS containers run a whole OS's services
# description: An OS container, built with LXC, OpenVZ, Linux VServer, BSD jails or Solaris zones, runs several services and processes like a whole OS instance, on the host's kernel.
# custom:
#   id: os_container.whole_os_services
#   kind: statement
#   degree: 1
#   title_zh: 操作系统容器运行完整系统的服务
#   summary_zh: 用 LXC、OpenVZ、Linux VServer、BSD Jails 或 Solaris 区域构建的操作系统容器，可以像完整的操作系统实例那样运行多个服务和进程，使用的是宿主机的内核。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 操作系统容器 — 要创建操作系统容器
#     - source: 002_687a735013d0ae0c.txt
#       locator: 而在 OS 容器中,可以运行多个服务和进程
serves["whole_os"] := lib.statement(rego.metadata.rule())

# Everything else an OS container shares with the application container,
# by the same statements.
serves[c] := s if {
	some c, s in container.serves
	c != "whole_os"
}
